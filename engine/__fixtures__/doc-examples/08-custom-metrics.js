// The four custom metric types, each with a threshold on one of its aggregations.
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';

const orders = new Counter('orders');
const basket = new Gauge('basket_size');
const ok = new Rate('order_ok');
const wait = new Trend('order_wait', true);

export const options = {
  iterations: 4,
  thresholds: {
    orders: ['count==8', 'rate>0'],
    basket_size: ['value==4'],
    order_ok: ['rate==0.75'],
    order_wait: ['avg==25', 'min==10', 'max==40', 'med==25', 'p(50)==25'],
  },
};

export default function () {
  const i = __ITER + 1;
  orders.add(2);
  basket.add(i);
  ok.add(i !== 2);
  wait.add(i * 10);
}
