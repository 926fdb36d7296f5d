/** The pasted API key, kept in localStorage so it is asked for once per browser. */

const KEY_NAME = 'reelqueue.apiKey';

export function storedKey(): string | null {
  try {
    return localStorage.getItem(KEY_NAME);
  } catch {
    return null;
  }
}

export function storeKey(key: string): void {
  localStorage.setItem(KEY_NAME, key);
}

export function forgetKey(): void {
  localStorage.removeItem(KEY_NAME);
}
