// Message notifications in the desktop app: live references, click to
// open, and what each platform does to the window (never focus or flash on
// Linux). When a message notifies and what it says are the shared rules
// (test/shared/notifications.test.ts).
//
// Electron is mocked (test/main/electron-double): its binary cannot run on
// these machines, so Notification is the double's, and a test clicks or
// closes it as the OS would. The platform is passed in.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MessageNotifier } from '../../src/main/notifications/message-notifier.ts';
import * as double from './electron-double/electron.ts';

vi.mock('electron', () => import('./electron-double/electron.ts'));

beforeEach(() => double.resetElectronDouble());

describe('the notifier', () => {
  function notifier(platform: 'linux' | 'win32' | 'darwin') {
    const onClick = vi.fn();
    const flashWindow = vi.fn();
    return { notifier: new MessageNotifier({ platform, onClick, flashWindow }), onClick, flashWindow };
  }

  it('shows a notification and keeps a reference until it is clicked, then opens the conversation', () => {
    const { notifier: n, onClick } = notifier('linux');
    n.notify('c_1', { title: 'Alice', body: 'Hi' });
    const [shown] = double.Notification.instances;
    expect(shown?.shown).toBe(true);
    expect(shown?.options).toEqual({ title: 'Alice', body: 'Hi' });
    expect(n.liveCount).toBe(1);
    shown?.emit('click', double.fakeEvent());
    expect(onClick).toHaveBeenCalledWith('c_1');
    expect(n.liveCount).toBe(0);
  });

  it('forgets a notification the user dismissed', () => {
    const { notifier: n, onClick } = notifier('linux');
    n.notify('c_1', { title: 'Alice', body: 'Hi' });
    double.Notification.instances[0]?.close();
    expect(n.liveCount).toBe(0);
    expect(onClick).not.toHaveBeenCalled();
  });

  it("takes away a conversation's notifications when it is read", () => {
    const { notifier: n } = notifier('linux');
    n.notify('c_1', { title: 'Alice', body: 'one' });
    n.notify('c_1', { title: 'Alice', body: 'two' });
    n.notify('c_2', { title: 'Bob', body: 'three' });
    n.dismiss('c_1');
    expect(double.Notification.instances.map((notification) => notification.closed)).toEqual([true, true, false]);
    expect(n.liveCount).toBe(1);
  });

  it('never focuses or flashes the window on Linux', () => {
    const { notifier: n, flashWindow } = notifier('linux');
    n.notify('c_1', { title: 'Alice', body: 'Hi' });
    expect(flashWindow).not.toHaveBeenCalled();
    expect(double.calls.some((call) => call.api === 'BrowserWindow.focus')).toBe(false);
    expect(double.Notification.instances[0]?.options).not.toHaveProperty('groupId');
  });

  it('flashes the taskbar button on Windows and groups by conversation', () => {
    const { notifier: n, flashWindow } = notifier('win32');
    n.notify('c_1', { title: 'Alice', body: 'Hi' });
    expect(flashWindow).toHaveBeenCalledOnce();
    expect(double.Notification.instances[0]?.options).toMatchObject({ groupId: 'c_1' });
  });

  it('groups by conversation in Notification Center on macOS, without flashing', () => {
    const { notifier: n, flashWindow } = notifier('darwin');
    n.notify('c_1', { title: 'Alice', body: 'Hi' });
    expect(flashWindow).not.toHaveBeenCalled();
    expect(double.Notification.instances[0]?.options).toMatchObject({ groupId: 'c_1' });
  });

  it('does nothing where the system has no notifications', () => {
    double.environment.notificationsSupported = false;
    const { notifier: n } = notifier('linux');
    n.notify('c_1', { title: 'Alice', body: 'Hi' });
    expect(double.Notification.instances).toEqual([]);
  });
});
