// The one error type for problems a user can fix: a file that cannot be read,
// a malformed line, an unknown name. The CLI prints its message on one line
// and exits 2; anything else that is thrown is a bug in seccheck.

export class SeccheckError extends Error {
  /**
   * @param file    the file at fault, or undefined when the problem is in an option
   * @param place   where in it: a line number, or an option name such as "--arch"
   * @param problem what is wrong, one line, no trailing period
   */
  constructor(
    readonly file: string | undefined,
    readonly place: number | string | undefined,
    readonly problem: string,
  ) {
    super(formatWhere(file, place) + problem);
    this.name = 'SeccheckError';
  }
}

/** "FILE:PLACE: ", "FILE: ", "PLACE: " or "". */
function formatWhere(file: string | undefined, place: number | string | undefined): string {
  if (file !== undefined && place !== undefined) return `${file}:${place}: `;
  if (file !== undefined) return `${file}: `;
  if (place !== undefined) return `${place}: `;
  return '';
}
