/**
 * A table in a box of its own that scrolls sideways when the table is wider than the screen, so
 * the page itself never does (styles.css, `.table-scroll`). The rows are the children.
 */
import type { ReactNode } from 'react';

/** A heading, or one whose column holds numbers (right-aligned, as its cells are: className "num"). */
export type Column = string | { label: string; num: true };

interface Props {
  columns: readonly Column[];
  /** data-testid of the table */
  testId?: string;
  /** data-testid of the scrolling box */
  scrollTestId?: string;
  children: ReactNode;
}

export function ScrollTable({ columns, testId, scrollTestId, children }: Props) {
  return (
    <div className="table-scroll" data-testid={scrollTestId}>
      <table className="table" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c, i) =>
              typeof c === 'string' ? (
                <th key={i}>{c}</th>
              ) : (
                <th key={i} className="num">
                  {c.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
