// What a call throws, as a script sees it (String(e)); 'no error' when it returns.
export function thrown(fn) {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return String(e);
  }
}
