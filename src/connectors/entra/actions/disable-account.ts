import { accountEnabledAction } from "../account-enabled.ts";

/** Blocks sign-in reversibly (`accountEnabled: false`); undone by entra.enable_account only if it was enabled. */
export const disableAccount = accountEnabledAction({
  id: "entra.disable_account",
  title: "Disable account (block sign-in)",
  enabled: false,
  inverse: "entra.enable_account",
  kind: "contain",
});
