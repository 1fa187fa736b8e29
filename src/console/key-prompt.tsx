import { useEffect, useRef, useState } from 'preact/hooks';

export interface KeyPromptProps {
  /** Why the key is asked for again (a wrong or expired key); undefined the first time. */
  message?: string | undefined;
  onSubmit: (key: string) => Promise<void>;
}

/** Asks for the API key the server's API_KEYS holds; it is kept in this tab's session storage only. */
export function KeyPrompt({ message, onSubmit }: KeyPromptProps) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => { input.current?.focus(); }, [message]);
  return (
    <section class="panel key-prompt" aria-labelledby="key-heading">
      <h2 id="key-heading">API key needed</h2>
      <p>This server asks for an API key. Ask whoever runs it for one. The console keeps it only in this browser tab, until you close the tab.</p>
      {message !== undefined && <p class="form-error" role="alert" data-testid="key-error">{message}</p>}
      <form noValidate onSubmit={async (e) => {
        e.preventDefault();
        if (key.trim() === '') return;
        setBusy(true);
        try { await onSubmit(key.trim()); } finally { setBusy(false); }
      }}>
        <label for="api-key">API key</label>
        <input id="api-key" ref={input} type="password" autoComplete="off" value={key} aria-describedby={message === undefined ? undefined : 'key-error'}
          onInput={(e) => setKey((e.currentTarget as HTMLInputElement).value)} />
        <button type="submit" disabled={busy}>Use this key</button>
      </form>
    </section>
  );
}
