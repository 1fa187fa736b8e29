import type { FeatureSchema } from './schema.js';

const yesNo = ['No', 'Yes'] as const;
const internetAddOn = ['No', 'Yes', 'No internet service'] as const;

function addOn(name: string, what: string) {
  return {
    name,
    kind: 'categorical',
    description: `Whether the customer has ${what} ("No internet service" when they have no internet).`,
    categories: internetAddOn,
    nullable: false,
  } as const;
}

/**
 * The IBM Telco Customer Churn inputs, named exactly as the data file's columns. Bounds are generous
 * sanity limits (a CRM record beyond them is a data error), not the training data's observed range.
 */
export const telcoChurnSchema: FeatureSchema = {
  name: 'telco-customer-churn',
  version: '1',
  idField: 'customerID',
  target: { name: 'Churn', positive: 'Yes', negative: 'No' },
  features: [
    { name: 'gender', kind: 'categorical', description: 'Customer gender as recorded.', categories: ['Female', 'Male'], nullable: false },
    { name: 'SeniorCitizen', kind: 'numeric', description: '1 if the customer is 65 or older, else 0.', integer: true, minimum: 0, maximum: 1, nullable: false },
    { name: 'Partner', kind: 'categorical', description: 'Whether the customer has a partner.', categories: yesNo, nullable: false },
    { name: 'Dependents', kind: 'categorical', description: 'Whether the customer has dependents.', categories: yesNo, nullable: false },
    { name: 'tenure', kind: 'numeric', description: 'Months the customer has stayed with the company.', integer: true, minimum: 0, maximum: 1200, nullable: false, unit: 'months' },
    { name: 'PhoneService', kind: 'categorical', description: 'Whether the customer has phone service.', categories: yesNo, nullable: false },
    { name: 'MultipleLines', kind: 'categorical', description: 'Whether the customer has multiple lines.', categories: ['No', 'Yes', 'No phone service'], nullable: false },
    { name: 'InternetService', kind: 'categorical', description: 'Internet service provider type.', categories: ['DSL', 'Fiber optic', 'No'], nullable: false },
    addOn('OnlineSecurity', 'online security'),
    addOn('OnlineBackup', 'online backup'),
    addOn('DeviceProtection', 'device protection'),
    addOn('TechSupport', 'tech support'),
    addOn('StreamingTV', 'streaming TV'),
    addOn('StreamingMovies', 'streaming movies'),
    { name: 'Contract', kind: 'categorical', description: 'Contract term.', categories: ['Month-to-month', 'One year', 'Two year'], nullable: false },
    { name: 'PaperlessBilling', kind: 'categorical', description: 'Whether the customer has paperless billing.', categories: yesNo, nullable: false },
    {
      name: 'PaymentMethod', kind: 'categorical', description: 'Payment method.',
      categories: ['Electronic check', 'Mailed check', 'Bank transfer (automatic)', 'Credit card (automatic)'], nullable: false,
    },
    { name: 'MonthlyCharges', kind: 'numeric', description: 'Amount charged to the customer monthly.', integer: false, minimum: 0, maximum: 100000, nullable: false, unit: 'USD' },
    {
      name: 'TotalCharges', kind: 'numeric', description: 'Total amount charged to date; missing for customers in their first month (tenure 0).',
      integer: false, minimum: 0, maximum: 10000000, nullable: true, unit: 'USD',
    },
  ],
};
