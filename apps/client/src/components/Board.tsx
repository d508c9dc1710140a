/** The original board: each word's letters with their flat colours, in order. */
const ROWS = [
  { word: 'PING', colors: ['#C8E6C9', '#BBDEFB', '#ffcdd2', '#E1BEE7'] },
  { word: 'PONG', colors: ['#BBDEFB', '#C8E6C9', '#E1BEE7', '#ffcdd2'] },
];

interface BoardProps {
  busy: boolean;
  onRun(): void;
}

/**
 * The original's two rows of letters; every letter runs the chain. While a
 * run is in flight the letters are aria-disabled rather than disabled, so
 * keyboard focus stays where it was.
 */
export function Board({ busy, onRun }: BoardProps) {
  return (
    <div className="board" role="group" aria-label="PING PONG board: every letter runs the chain">
      {ROWS.map(({ word, colors }) => (
        <div className="board-row" key={word}>
          {[...word].map((letter, index) => (
            <button
              key={index}
              type="button"
              className="letter"
              style={{ backgroundColor: colors[index] }}
              aria-label={`Run the chain (${letter} of ${word})`}
              aria-disabled={busy}
              onClick={busy ? undefined : onRun}
            >
              {letter}
            </button>
          ))}
        </div>
      ))}
    </div>
  );
}
