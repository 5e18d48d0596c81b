import { validationError, type FieldError } from '../../../kernel/errors.ts';
import type { Card, CardToken } from '../contract.ts';

/**
 * Stripe's test numbers for a declined card and for a processing error, mapped to the test
 * gateway's tokens for those outcomes (test-gateway.ts); every other valid number charges.
 */
const TEST_NUMBERS: Record<string, string> = {
  '4000000000000002': 'tok_chargeDeclined',
  '4000000000000119': 'tok_flaky',
};

/**
 * Checks a card as a processor's test mode does and names its token. No message echoes the
 * number or the cvv: errors may reach a log or a browser.
 */
export function tokenizeTestCard(card: Card, now = new Date()): CardToken {
  const digits = card.number.replace(/[ -]/g, '');
  const problems: FieldError[] = [];
  if (!/^\d{12,19}$/.test(digits)) problems.push({ path: 'number', message: 'a card number has 12 to 19 digits (spaces and dashes aside)' });
  else if (!passesLuhn(digits)) problems.push({ path: 'number', message: 'not a valid card number (its check digit is wrong)' });
  const expired = expiredField(card, now);
  if (expired) problems.push({ path: expired, message: 'the card has expired' });
  if (problems.length) throw validationError(problems, 'The card is not valid');
  return { token: TEST_NUMBERS[digits] ?? 'tok_visa', brand: brandOf(digits), last4: digits.slice(-4) };
}

/** A card is good through the last day of its expiry month (UTC, to the month). */
function expiredField({ expMonth, expYear }: Card, now: Date): 'expYear' | 'expMonth' | null {
  const year = now.getUTCFullYear();
  if (expYear < year) return 'expYear';
  return expYear === year && expMonth < now.getUTCMonth() + 1 ? 'expMonth' : null;
}

/** The Luhn checksum every card number carries in its last digit. */
function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** The card network, from the number's leading digits (its IIN range). */
function brandOf(digits: string): CardToken['brand'] {
  if (digits.startsWith('4')) return 'visa';
  if (/^3[47]/.test(digits)) return 'amex';
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'mastercard';
  return 'other';
}
