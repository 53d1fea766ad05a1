/**
 * What one stage of the sandbox's request pipeline decided: an answer to send, or a connection to
 * cut without one. Auth, rate limits, faults, routes and the HTTP plumbing all speak this shape, so
 * the pipeline can stop at whichever stage answers first.
 */

export type Headers = Record<string, string>;

export type Outcome = { kind: 'reply'; status: number; body: unknown; headers?: Headers; html?: string } | { kind: 'drop' };

export function reply(status: number, body: unknown, headers?: Headers): Outcome {
  return { kind: 'reply', status, body, headers };
}

/** The API's plain error body, `{ message }`. */
export function message(status: number, text: string, headers?: Headers): Outcome {
  return reply(status, { message: text }, headers);
}
