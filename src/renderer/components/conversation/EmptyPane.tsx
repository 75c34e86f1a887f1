/** The right-hand side while no conversation is open. */
export function EmptyPane() {
  return (
    <div className="empty-pane">
      <h2 className="empty-pane__title">Duplex</h2>
      <p className="empty-pane__text">Pick a chat on the left, or start a new one.</p>
      <p className="empty-pane__text">Messages you write while offline wait on this device and go out once you are back online.</p>
    </div>
  );
}
