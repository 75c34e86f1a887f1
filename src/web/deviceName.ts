// How the web client appears in the user's list of devices (docs/protocol.md,
// "Devices"): the browser and its operating system, "Chromium on Linux".
// Chromium-based browsers say who they are in navigator.userAgentData's
// brands (their user-agent strings all claim to be Chrome); the others only
// in the user-agent string.

export interface BrowserIdentity {
  userAgent: string;
  /** navigator.userAgentData, where the browser has it. */
  brands?: readonly { brand: string }[];
  platform?: string;
}

/** Brands by what they are called, the more specific first (every Chromium-based browser also lists "Chromium"). */
const BRANDS: ReadonlyArray<[brand: string, name: string]> = [
  ['Microsoft Edge', 'Edge'],
  ['Opera', 'Opera'],
  ['Brave', 'Brave'],
  ['Google Chrome', 'Chrome'],
  ['HeadlessChrome', 'Chromium'],
  ['Chromium', 'Chromium'],
];

const USER_AGENT_BROWSERS: ReadonlyArray<[pattern: RegExp, name: string]> = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\//, 'Opera'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\b(?:HeadlessChrome|Chromium)\//, 'Chromium'],
  [/\b(?:Chrome|CriOS)\//, 'Chrome'],
  [/\bSafari\//, 'Safari'],
];

// Android and iOS first: their user agents also say Linux and Mac OS X.
const USER_AGENT_SYSTEMS: ReadonlyArray<[pattern: RegExp, name: string]> = [
  [/\bAndroid\b/, 'Android'],
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\b(?:Macintosh|Mac OS X)\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

const PLATFORM_NAMES: Readonly<Record<string, string>> = { 'Chrome OS': 'ChromeOS', 'Chromium OS': 'ChromeOS' };

export function browserDeviceName({ userAgent, brands, platform }: BrowserIdentity): string {
  const branded = BRANDS.find(([brand]) => brands?.some((entry) => entry.brand === brand))?.[1];
  const browser = branded ?? USER_AGENT_BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? 'Web browser';
  const system = platform
    ? (PLATFORM_NAMES[platform] ?? platform)
    : USER_AGENT_SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  return system ? `${browser} on ${system}` : browser;
}

/** This page's browser, as browserDeviceName names it. */
export function currentBrowserDeviceName(): string {
  const data = (navigator as Navigator & { userAgentData?: { brands: { brand: string }[]; platform: string } }).userAgentData;
  return browserDeviceName({ userAgent: navigator.userAgent, brands: data?.brands, platform: data?.platform || undefined });
}
