/** The API key lives only in this tab's session storage: gone when the tab closes, never in localStorage or a cookie. */
const STORAGE_KEY = 'churn-console-api-key';

export function storedApiKey(): string | undefined {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeApiKey(key: string | undefined): void {
  try {
    if (key === undefined) sessionStorage.removeItem(STORAGE_KEY);
    else sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // Storage disabled: the key then lasts as long as the page.
  }
}
