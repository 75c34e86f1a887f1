// Screenshots of a screen in both colour schemes followed by axe-core scans,
// shared by the end-to-end specs that capture screens.
import type { Page, TestInfo } from '@playwright/test';
import { COLOUR_RULES, expectAccessible, screenshot } from './support.ts';

const SCHEMES = ['light', 'dark'] as const;

/** For `failOn`: every violation fails, not only serious and critical ones. */
export const ANY_IMPACT = ['minor', 'moderate', 'serious', 'critical'];

/** Screenshots of the page as it is in both colour schemes, then axe-core on
 * each (the screenshots first, so that both show the same moment). `failOn`
 * lists the violation impacts that fail (serious and critical unless given). */
export async function shoot(page: Page, testInfo: TestInfo, name: string, failOn?: readonly string[]): Promise<void> {
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await screenshot(page, testInfo, `${name}-${scheme}`);
  }
  // Every rule in the light scheme; in the dark one only what colours can
  // change (structure, names and roles are the same in both).
  await page.emulateMedia({ colorScheme: 'light' });
  await expectAccessible(page, testInfo, `${name}-light`, undefined, failOn);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectAccessible(page, testInfo, `${name}-dark`, COLOUR_RULES, failOn);
  await page.emulateMedia({ colorScheme: null });
}
