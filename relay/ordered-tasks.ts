// Runs the handlers of one socket's frames in arrival order. A task marked
// `overlap` (a send) is started without waiting for the overlapping tasks
// before it to finish, so that a burst of sends reaches the group commit in
// the same event-loop turn and shares one transaction; any other task first
// waits for every earlier task, overlapping ones included. So a `leave` after
// a `send` runs only once that send is stored and acknowledged.

type Task = () => Promise<void>;

export class OrderedTasks {
  /** Resolves once every task pushed so far has started, and every non-overlapping one has finished. */
  #started: Promise<void> = Promise.resolve();
  /** Resolves once every overlapping task started so far has finished. */
  #overlapping: Promise<void> = Promise.resolve();

  /** `task` must not reject: callers handle their own errors. */
  push(task: Task, overlap: boolean): void {
    this.#started = this.#started.then(async () => {
      if (overlap) {
        this.#overlapping = Promise.all([this.#overlapping, task()]).then(noop);
        return;
      }
      await this.#overlapping;
      await task();
    });
  }
}

function noop(): void {}
