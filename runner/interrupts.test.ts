import { describe, expect, it } from 'vitest';
import { InterruptCounter, type InterruptAction } from './interrupts.ts';

describe('InterruptCounter', () => {
  it.each<[string, number[], InterruptAction[]]>([
    ['one Ctrl-C', [0], ['stop']],
    // A signal to the process group reaches this process directly and again through npm and tsx.
    ['one interrupt delivered three times (process group, relays)', [0, 3, 40], ['stop', 'echo', 'echo']],
    ['relayed late, under load, still within the window', [0, 950], ['stop', 'echo']],
    ['a second Ctrl-C during the stop', [0, 2500], ['stop', 'kill']],
    ['a second one after echoes', [0, 5, 1800], ['stop', 'echo', 'kill']],
  ])('%s → %j', (_, times, actions) => {
    let now = 0;
    const counter = new InterruptCounter(() => now, 1000);
    expect(times.map((t) => ((now = t), counter.receive()))).toEqual(actions);
  });
});
