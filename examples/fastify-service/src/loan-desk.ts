import type { LoanPayload } from "@alma-webhooks/core";

/** One new loan, as the desk keeps it: the webhook's id (its identity) and the loan's fields. */
export interface DeskLoan {
  readonly id: string;
  readonly loanId: string | undefined;
  readonly userId: string | undefined;
}

/**
 * The circulation desk's list of new loans: one entry per webhook, however often Alma delivers it (a
 * redelivery has the same id). A real service would insert into its database with the id as a unique key.
 */
export class LoanDesk {
  readonly loans: DeskLoan[] = [];

  add(id: string, payload: LoanPayload): void {
    if (this.loans.some((loan) => loan.id === id)) return;
    this.loans.push({ id, loanId: payload.item_loan?.loan_id, userId: payload.item_loan?.user_id });
  }
}
