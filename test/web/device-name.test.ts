// The web client's device name, from real user-agent strings and
// userAgentData of the browsers people use.
import { describe, expect, it } from 'vitest';
import { browserDeviceName } from '../../src/web/deviceName.ts';

const CHROMIUM_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

describe('browserDeviceName', () => {
  it('tells Chromium-based browsers apart by their brands, not by the user agent, which says Chrome for all', () => {
    const chromium = [{ brand: 'Chromium' }, { brand: 'Not_A Brand' }];
    expect(browserDeviceName({ userAgent: CHROMIUM_LINUX, brands: chromium, platform: 'Linux' })).toBe('Chromium on Linux');
    expect(
      browserDeviceName({ userAgent: CHROMIUM_LINUX, brands: [...chromium, { brand: 'Google Chrome' }], platform: 'Linux' }),
    ).toBe('Chrome on Linux');
    expect(
      browserDeviceName({ userAgent: CHROMIUM_LINUX, brands: [...chromium, { brand: 'Microsoft Edge' }], platform: 'Windows' }),
    ).toBe('Edge on Windows');
    expect(browserDeviceName({ userAgent: CHROMIUM_LINUX, brands: chromium, platform: 'Chrome OS' })).toBe('Chromium on ChromeOS');
  });

  it('reads the user agent of browsers without userAgentData', () => {
    expect(
      browserDeviceName({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' }),
    ).toBe('Firefox on Linux');
    expect(
      browserDeviceName({
        userAgent:
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      }),
    ).toBe('Safari on macOS');
    expect(
      browserDeviceName({
        userAgent:
          'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      }),
    ).toBe('Safari on iOS');
    expect(
      browserDeviceName({
        userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      }),
    ).toBe('Chrome on Android');
    expect(browserDeviceName({ userAgent: CHROMIUM_LINUX.replace('Chrome/', 'HeadlessChrome/') })).toBe('Chromium on Linux');
  });

  it('says what it can when it recognises little', () => {
    expect(browserDeviceName({ userAgent: 'curl/8.5.0' })).toBe('Web browser');
    expect(browserDeviceName({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/133.0', platform: '' })).toBe(
      'Firefox on Linux',
    );
  });
});
