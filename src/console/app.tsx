import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type ConsoleSettings } from './api.js';
import { storeApiKey, storedApiKey } from './api-key.js';
import { CustomerPage } from './customer-page.js';
import { FilePage } from './file-page.js';
import { GlancePage } from './glance-page.js';
import { KeyPrompt } from './key-prompt.js';
import { ModelPage } from './model-page.js';

type Page = 'customer' | 'file' | 'model' | 'glance';
const pages: { id: Page; title: string }[] = [
  { id: 'customer', title: 'Score a customer' },
  { id: 'file', title: 'Score a file' },
  { id: 'model', title: 'The model' },
  { id: 'glance', title: 'At a glance' },
];

const pageOfHash = (): Page => {
  const id = location.hash.replace(/^#\/?/, '');
  return pages.some((p) => p.id === id) ? id as Page : 'customer';
};

const WRONG_KEY = 'The server did not accept this key (401 UNAUTHORIZED). Keys are case-sensitive: check it, or ask for a new one.';
const KEY_REFUSED = 'The server no longer accepts the key this tab had (401 UNAUTHORIZED). Enter a valid key to go on.';

/** The console: the settings it starts from, the key prompt when the server wants a key, and four pages. */
export function App() {
  const [settings, setSettings] = useState<ConsoleSettings>();
  const [failure, setFailure] = useState<string>();
  const [keyPrompt, setKeyPrompt] = useState<{ message?: string } | undefined>();
  const [page, setPage] = useState<Page>(pageOfHash);
  const [visited, setVisited] = useState<Set<Page>>(() => new Set([pageOfHash()]));
  const [opened, setOpened] = useState<{ record: Record<string, unknown> }>();
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    api.settings().then((loaded) => {
      setSettings(loaded);
      if (loaded.apiKeyRequired && storedApiKey() === undefined) setKeyPrompt({});
    }, (error: unknown) => setFailure(error instanceof Error ? error.message : String(error)));
    const onHash = () => {
      const next = pageOfHash();
      setPage(next);
      setVisited((v) => new Set([...v, next]));
      // Screen readers and keyboard users land on the new page, not on the link they left.
      requestAnimationFrame(() => main.current?.focus());
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    document.title = `${pages.find((p) => p.id === page)?.title ?? ''} · Churn console`;
  }, [page]);

  const unauthorized = (_error: ApiError) => {
    storeApiKey(undefined);
    setKeyPrompt({ message: KEY_REFUSED });
  };

  const tryKey = async (key: string) => {
    storeApiKey(key);
    try {
      await api.model();
      setKeyPrompt(undefined);
    } catch (error) {
      storeApiKey(undefined);
      setKeyPrompt({ message: error instanceof ApiError && error.status === 401 ? WRONG_KEY : `The key could not be checked: ${error instanceof Error ? error.message : String(error)}` });
    }
  };

  const open = (record: Record<string, unknown>) => {
    setOpened({ record });
    location.hash = '#/customer';
  };

  const title = pages.find((p) => p.id === page)?.title ?? '';
  return (
    <>
      <a class="skip-link" href="#main">Skip to the page</a>
      <header class="top">
        <p class="brand">Churn console</p>
        <nav aria-label="Console pages">
          <ul>
            {pages.map((p) => <li><a href={`#/${p.id}`} aria-current={p.id === page ? 'page' : undefined}>{p.title}</a></li>)}
          </ul>
        </nav>
        <div class="top-actions">
          {settings?.apiKeyRequired === true && keyPrompt === undefined && (
            <button type="button" class="link" onClick={() => { storeApiKey(undefined); setKeyPrompt({}); }}>Forget the API key</button>
          )}
          <a href="/docs">API docs</a>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <h1>{title}</h1>
        {failure !== undefined && <p class="form-error" role="alert">The console cannot start: {failure}</p>}
        {settings === undefined && failure === undefined && <p class="placeholder">Loading…</p>}
        {settings !== undefined && keyPrompt !== undefined && <KeyPrompt message={keyPrompt.message} onSubmit={tryKey} />}
        {settings !== undefined && keyPrompt === undefined && (
          <>
            {!settings.scoresRecords && (page === 'customer' || page === 'file') && (
              <p class="note">This model is not a binary classifier, so it is scored through the V2 protocol only (see the API docs).</p>
            )}
            {settings.scoresRecords && visited.has('customer') && (
              <div hidden={page !== 'customer'}><CustomerPage settings={settings} opened={opened} onUnauthorized={unauthorized} /></div>
            )}
            {settings.scoresRecords && visited.has('file') && (
              <div hidden={page !== 'file'}><FilePage settings={settings} onOpen={open} onUnauthorized={unauthorized} /></div>
            )}
            {visited.has('model') && <div hidden={page !== 'model'}><ModelPage settings={settings} onUnauthorized={unauthorized} /></div>}
            {visited.has('glance') && <div hidden={page !== 'glance'}><GlancePage /></div>}
          </>
        )}
      </main>
    </>
  );
}
