import { z } from "zod";
import { CordonConfig } from "./schema.ts";

/** The JSON Schema editors use to complete cordon.yaml (`# yaml-language-server: $schema=…`). */
export function configJsonSchema(): unknown {
  return { title: "cordon.yaml", ...z.toJSONSchema(CordonConfig, { io: "input" }) };
}
