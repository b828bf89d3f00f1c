// How a backend's connection stands (shown per backend in the UI; drives prompts and back-off).

export type BackendConnectionState = 'ready' | 'connecting' | 'connected' | 'waiting_for_user' | 'backing_off' | 'error' | 'disabled';

export interface BackendStatus {
  state: BackendConnectionState;
  detail: string | null;
  retryAt: string | null;
}
