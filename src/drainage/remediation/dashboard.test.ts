import { describe, expect, it } from 'vitest';
import { dashboardCell } from './repository.ts';

describe('remediation dashboard cell', () => {
  it('progress is budget-weighted: (1,000,000 × 100 + 3,000,000 × 20) ÷ 4,000,000 = 40 %', () => {
    const cell = dashboardCell([
      { budgetYuan: 1_000_000, spentYuan: 950_000, percent: 100, status: 'completed' },
      { budgetYuan: 3_000_000, spentYuan: 500_000, percent: 20, status: 'in_progress' },
    ]);
    expect(cell).toEqual({ projects: 2, completed: 1, budgetYuan: 4_000_000, spentYuan: 1_450_000, percent: 40 });
  });

  it('without budgets, the plain mean', () => {
    expect(dashboardCell([{ budgetYuan: 0, spentYuan: 0, percent: 30, status: 'in_progress' }, { budgetYuan: 0, spentYuan: 0, percent: 50, status: 'in_progress' }]).percent).toBe(40);
  });
});
