// A threshold with an aggregation the metric type does not have: invalid options (104).
export const options = { thresholds: { http_reqs: ['p(95)<100'] } };

export default function () {}
