// Group-relative advantages (GRPO-style REINFORCE): each prompt is sampled k times and a sample's advantage
// is its reward minus its group's mean, optionally divided by the group's standard deviation. A group whose
// rewards are all equal gives no signal (advantage 0). Dropped samples (filtered rollouts) take no part in
// their group's baseline and get advantage 0.

export interface AdvantageOptions {
  /** Samples per prompt (consecutive rewards form a group). */
  groupSize: number;
  /** Divide by the group's population standard deviation (plus epsilon). */
  normalize: boolean;
  /** Added to the std before dividing. */
  epsilon?: number;
}

export function groupAdvantages(rewards: readonly number[], options: AdvantageOptions, dropped?: readonly boolean[]): number[] {
  const { groupSize: k, normalize, epsilon = 1e-6 } = options;
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`groupAdvantages: groupSize must be an integer >= 2, got ${k}`);
  if (rewards.length % k !== 0) throw new RangeError(`groupAdvantages: ${rewards.length} rewards do not split into groups of ${k}`);
  if (dropped && dropped.length !== rewards.length) throw new RangeError(`groupAdvantages: ${rewards.length} rewards but ${dropped.length} drop flags`);
  const out = new Array<number>(rewards.length).fill(0);
  for (let start = 0; start < rewards.length; start += k) {
    const members = Array.from({ length: k }, (_, i) => start + i).filter((i) => !dropped?.[i]);
    if (members.length < 2) continue;
    const mean = members.reduce((s, i) => s + rewards[i]!, 0) / members.length;
    const variance = members.reduce((s, i) => s + (rewards[i]! - mean) ** 2, 0) / members.length;
    const scale = normalize ? Math.sqrt(variance) + epsilon : 1;
    for (const i of members) out[i] = (rewards[i]! - mean) / scale;
  }
  return out;
}
