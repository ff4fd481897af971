import { accountEnabledAction } from "../account-enabled.ts";

export const enableAccount = accountEnabledAction({
  id: "entra.enable_account",
  title: "Enable account (allow sign-in)",
  enabled: true,
  inverse: "entra.disable_account",
  kind: "uncontain",
});
