// k6/net/grpc exists in k6, not in the embedded engine.
import grpc from 'k6/net/grpc';
export default function () {
  new grpc.Client();
}
