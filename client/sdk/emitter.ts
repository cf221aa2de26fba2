/** A tiny typed event emitter: listeners keyed by event name, each returns its unsubscribe. */
type Listener = (...args: never[]) => void;

export class Emitter<Events extends { [K in keyof Events]: Listener }> {
  private readonly listeners = new Map<keyof Events, Set<Listener>>();

  on<K extends keyof Events>(name: K, listener: Events[K]): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  }

  emit<K extends keyof Events>(name: K, ...args: Parameters<Events[K]>): void {
    for (const fn of [...(this.listeners.get(name) ?? [])]) (fn as (...a: Parameters<Events[K]>) => void)(...args);
  }
}
