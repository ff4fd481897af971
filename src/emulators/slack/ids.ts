/**
 * Slack-looking ids from per-prefix counters: the prefix letter and ten uppercase base-36 characters
 * (`W0XK3P9QZ2A`). The counter is scrambled by a multiplication that is a bijection modulo 36^10 (the factor is
 * coprime to 36), so ids are deterministic and unique without looking sequential.
 */
export class IdGenerator {
  readonly #counters = new Map<string, number>();
  readonly #taken = new Set<string>();

  /** Records an id given by the seed, so a generated one never collides with it. */
  claim(id: string): void {
    this.#taken.add(id);
  }

  next(prefix: string): string {
    for (;;) {
      const n = (this.#counters.get(prefix) ?? 0) + 1;
      this.#counters.set(prefix, n);
      const id = prefix + ((n * 2654435761) % 36 ** 10).toString(36).toUpperCase().padStart(10, "0");
      if (!this.#taken.has(id)) {
        this.#taken.add(id);
        return id;
      }
    }
  }
}
