export const options = { vus: 1, iterations: 1 };
throw new Error('broken init code');
export default function () {}
