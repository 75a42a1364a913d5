/** A set of listeners; a throwing listener is isolated so it cannot break the client's own work. */
export class Listeners<E> {
  private readonly listeners = new Set<(event: E) => void>();

  add(listener: (event: E) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: E): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // a UI listener's bug must not stop an order from being sent
      }
    }
  }
}
