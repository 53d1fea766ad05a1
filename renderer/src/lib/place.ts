/**
 * Sizes and offsets that only exist at run time (a virtual list's height, a row's position), set
 * through the CSSOM. The CSP forbids style attributes and <style> text, not element.style.
 */
export function offsetY(node: HTMLElement, px: number) {
  node.style.transform = `translateY(${px}px)`;
  return {
    update(next: number) {
      node.style.transform = `translateY(${next}px)`;
    },
  };
}

export function blockSize(node: HTMLElement, px: number) {
  node.style.height = `${px}px`;
  return {
    update(next: number) {
      node.style.height = `${next}px`;
    },
  };
}
