import { fileURLToPath } from 'node:url';

/** The model `npm start` serves when MODEL_PATH is not set; committed, and rebuilt by `npm run train`. */
export const bundledModelDirectory = fileURLToPath(new URL('../../../models/churn', import.meta.url));

/** The bundled training data (IBM Telco Customer Churn, Apache-2.0; see data/README.md). */
export const bundledDataFile = fileURLToPath(new URL('../../../data/telco-customer-churn.csv', import.meta.url));
