/** The listeners of one kind of event: subscribe (returning the unsubscribe) and notify, in order. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }

  emit(value: T): void {
    for (const listener of this.set) listener(value);
  }
}

/** A typed event emitter: the event map is a type, so a misspelt event or payload fails to compile. */
export class TypedEvents<Events extends Record<string, unknown>> {
  /** Each event's Listeners<Events[K]>; the map cannot say that per key, listenersOf does. */
  private readonly byEvent = new Map<keyof Events, unknown>();

  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
    let listeners = this.listenersOf(event);
    if (!listeners) this.byEvent.set(event, (listeners = new Listeners<Events[K]>()));
    return listeners.add(listener);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    this.listenersOf(event)?.emit(payload);
  }

  private listenersOf<K extends keyof Events>(event: K): Listeners<Events[K]> | undefined {
    return this.byEvent.get(event) as Listeners<Events[K]> | undefined;
  }
}
