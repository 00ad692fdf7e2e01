/**
 * A shopper's sign-in at one shop, kept apart from the staff console's tokens: it lives in this
 * tab's sessionStorage under the shop's id, so a staff member testing their own join page stays
 * signed in to the console, and closing the tab signs the shopper out.
 */
const prefix = "fenxiao.member.";

export function loadMemberToken(merchantId: number): string | null {
  try {
    return window.sessionStorage.getItem(prefix + merchantId);
  } catch {
    return null;
  }
}

export function saveMemberToken(merchantId: number, accessToken: string): void {
  try {
    window.sessionStorage.setItem(prefix + merchantId, accessToken);
  } catch {
    // Private windows may refuse storage; the caller keeps the token in memory as well.
  }
}

export function clearMemberToken(merchantId: number): void {
  try {
    window.sessionStorage.removeItem(prefix + merchantId);
  } catch {
    // Nothing stored, nothing to clear.
  }
}
