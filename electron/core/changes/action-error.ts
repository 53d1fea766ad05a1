/** The error of a desk action on changes refused: no such change or batch, or its state does not allow it. */

export class ChangeActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChangeActionError';
  }
}
