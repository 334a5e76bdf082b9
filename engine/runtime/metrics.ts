import { baseTags, declareMetric, pushSample, vu } from './state.ts';

const NAME_RE = /^[\p{L}\p{N}._ !?/&#()<>%-]{1,128}$/u;

class Metric {
  readonly name: string;
  constructor(
    name: string,
    readonly type: 'counter' | 'gauge' | 'rate' | 'trend',
    isTime: boolean,
  ) {
    if (vu.stage !== 'init') throw new Error('metrics must be declared in the init context');
    if (typeof name !== 'string' || !NAME_RE.test(name)) throw new Error(`invalid metric name "${String(name)}"`);
    this.name = name;
    declareMetric({ name, type, isTime: Boolean(isTime) });
  }
  add(value: number | boolean, tags?: Record<string, unknown>): boolean {
    let v: number;
    if (this.type === 'rate') v = value ? 1 : 0;
    else if (typeof value === 'boolean') v = value ? 1 : 0;
    else v = Number(value);
    if (Number.isNaN(v)) throw new Error(`${this.name}: the value added is not a number`);
    const t = baseTags();
    if (tags) for (const [k, val] of Object.entries(tags)) t[k] = String(val);
    pushSample(this.name, v, t);
    return true;
  }
}

export class Counter extends Metric {
  constructor(name: string, isTime = false) {
    super(name, 'counter', isTime);
  }
}
export class Gauge extends Metric {
  constructor(name: string, isTime = false) {
    super(name, 'gauge', isTime);
  }
}
export class Rate extends Metric {
  constructor(name: string, isTime = false) {
    super(name, 'rate', isTime);
  }
}
export class Trend extends Metric {
  constructor(name: string, isTime = false) {
    super(name, 'trend', isTime);
  }
}

export default { Counter, Gauge, Rate, Trend };
