/** Where a channel's cursor and live set are kept between page loads (localStorage by default). */
import type { SavedChannel } from './channel-state.js';

export interface CursorStore {
  load(channel: string): unknown;
  save(channel: string, value: SavedChannel): void;
}

/** A store over a Web Storage; a missing or full storage (private mode, quota) only loses resumption. */
export function webStorageStore(storage: Storage | undefined, namespace: string): CursorStore {
  const key = (channel: string) => `news-ticker:v1:${namespace}:${channel}`;
  return {
    load(channel) {
      try {
        const text = storage?.getItem(key(channel));
        return text ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        return undefined;
      }
    },
    save(channel, value) {
      try {
        storage?.setItem(key(channel), JSON.stringify(value));
      } catch {
        /* quota or disabled storage: the next visit starts from a snapshot */
      }
    },
  };
}

export function memoryStore(): CursorStore {
  const map = new Map<string, string>();
  return {
    load: (channel) => {
      const text = map.get(channel);
      return text ? (JSON.parse(text) as unknown) : undefined;
    },
    save: (channel, value) => void map.set(channel, JSON.stringify(value)),
  };
}

/** localStorage when the page may use it (it throws in some sandboxed iframes). */
export function defaultStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}
