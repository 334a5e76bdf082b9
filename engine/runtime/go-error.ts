/** An error k6 raises from its Go side: scripts see `GoError: <message>` (String(e), e.name). */
export class GoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoError';
  }
}
