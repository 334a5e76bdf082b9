// A k6 module the embedded engine does not have: the init fails (exit 107) naming it.
import { browser } from 'k6/browser';

export const options = { iterations: 1 };

export default async function () {
  const page = await browser.newPage();
  await page.goto('https://test.k6.io/');
}
