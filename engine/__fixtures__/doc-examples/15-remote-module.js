// A remote module the engine does not carry: refused before the test starts.
import { AWSConfig } from 'https://jslib.k6.io/aws/0.11.0/s3.js';

export default function () {
  return AWSConfig;
}
