/** Which screen is showing. The URL hash carries it (`#/queue`), so reloads and tests land on it. */
import { VIEWS } from '../views/registry';

function fromHash(hash: string): string {
  const id = hash.replace(/^#\/?/, '');
  return VIEWS.some((view) => view.id === id) ? id : VIEWS[0].id;
}

class NavState {
  current = $state(fromHash(globalThis.location?.hash ?? ''));

  readonly view = $derived(VIEWS.find((view) => view.id === this.current) ?? VIEWS[0]);

  go(id: string): void {
    if (!VIEWS.some((view) => view.id === id)) return;
    this.current = id;
    if (globalThis.location && globalThis.location.hash !== `#/${id}`) history.replaceState(null, '', `#/${id}`);
  }

  /** Follow the hash when it is changed from outside (a link, the back button, a test). */
  listen(): () => void {
    const onHash = () => (this.current = fromHash(location.hash));
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      const index = Number(event.key) - 1;
      if (Number.isInteger(index) && index >= 0 && index < VIEWS.length) {
        event.preventDefault();
        this.go(VIEWS[index].id);
      }
    };
    addEventListener('hashchange', onHash);
    addEventListener('keydown', onKey);
    return () => {
      removeEventListener('hashchange', onHash);
      removeEventListener('keydown', onKey);
    };
  }
}

export const nav = new NavState();
