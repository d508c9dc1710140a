/** Where the deploy reports: progress to stdout, problems to stderr (tests collect both). */
export interface Output {
  info(line: string): void;
  error(line: string): void;
}

export const consoleOutput: Output = {
  info: (line) => console.log(line),
  error: (line) => console.error(line),
};
