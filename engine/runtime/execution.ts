import { guard } from './esm.ts';
import { TestAbort, execState, vu } from './state.ts';

let testOptions: unknown = {};
export function setTestOptions(o: unknown): void {
  testOptions = o;
}

function tagsProxy(target: Record<string, string>): Record<string, string> {
  return new Proxy(target, {
    set(t, k, v) {
      if (typeof k !== 'string') return false;
      if (v !== null && typeof v === 'object') throw new TypeError(`tag ${k}: only string, number and boolean values are allowed`);
      t[k] = String(v);
      return true;
    },
  });
}

/** k6/execution; a member it lacks (exec.test.fail of newer k6, a typo) throws naming itself. */
const exec = {
  vu: guard('exec.vu', {
    get idInInstance() {
      return vu.id;
    },
    get idInTest() {
      return vu.id;
    },
    get iterationInInstance() {
      return vu.iterInVu;
    },
    get iterationInScenario() {
      return vu.iterInScenario;
    },
    get tags() {
      return tagsProxy(vu.tags);
    },
    metrics: guard('exec.vu.metrics', {
      get tags() {
        return tagsProxy(vu.tags);
      },
      get metadata() {
        return tagsProxy(vu.metadata);
      },
    }),
  }),
  scenario: guard('exec.scenario', {
    get name() {
      return vu.scenario;
    },
    get executor() {
      return vu.executor;
    },
    get startTime() {
      return vu.scenarioStartMs;
    },
    get progress() {
      return execState().scenarioProgress;
    },
    get iterationInInstance() {
      return vu.iterInScenario;
    },
    get iterationInTest() {
      return vu.iterInTest;
    },
  }),
  instance: guard('exec.instance', {
    get vusActive() {
      return execState().vusActive;
    },
    get vusInitialized() {
      return execState().vusInitialized;
    },
    get iterationsCompleted() {
      return execState().iterationsCompleted;
    },
    get iterationsInterrupted() {
      return execState().iterationsInterrupted;
    },
    get currentTestRunDuration() {
      return execState().currentTestRunDuration;
    },
  }),
  test: guard('exec.test', {
    abort(reason?: string): never {
      throw new TestAbort(reason ?? 'test aborted');
    },
    get options() {
      return testOptions;
    },
  }),
};

export default exec;
