// Published per-file results of the three best detectors on NAB's scoreboard, for the files of this
// subset, so that they can be put beside ours on exactly the same parts of the split. Each figure is
// the file's raw standard-profile score (Σ window rewards − 0.11 per false-positive row − 1 per
// missed window) at the detector's own corpus-wide threshold, as NAB's repository publishes them:
// results/ARTime/ARTime_standard_scores.csv, results/numenta/numenta_standard_scores.csv and
// results/contextOSE/contextOSE_standard_scores.csv (github.com/numenta/NAB). Their thresholds were optimised over all 58 files, not per part, which
// is if anything a small handicap against ours (optimised on each part, as NAB does for a corpus).
import type { NabFile } from './corpus.ts';

/** [file, ARTime, Numenta HTM, CAD OSE] raw standard scores. */
const PUBLISHED_STANDARD: ReadonlyArray<readonly [string, number, number, number]> = [
  ['artificialWithAnomaly/art_daily_flatmiddle.csv', 0.8040, 0.4411, 0.7955],
  ['artificialWithAnomaly/art_daily_jumpsdown.csv', 0.9935, 0.7489, 0.6585],
  ['artificialWithAnomaly/art_daily_jumpsup.csv', 0.8589, 0.7489, 0.8607],
  ['artificialWithAnomaly/art_daily_nojump.csv', -1.1100, -1.0000, -1.3300],
  ['artificialWithAnomaly/art_increase_spike_density.csv', 0.8460, 0.6407, 0.8624],
  ['artificialWithAnomaly/art_load_balancer_spikes.csv', 0.0494, 0.7348, 0.4904],
  ['realAWSCloudwatch/ec2_cpu_utilization_24ae8d.csv', 1.6317, 1.3860, 1.7231],
  ['realAWSCloudwatch/ec2_cpu_utilization_53ea38.csv', 0.3980, 1.3044, 1.1227],
  ['realAWSCloudwatch/ec2_cpu_utilization_5f5533.csv', 1.6977, 1.7160, 1.5140],
  ['realAWSCloudwatch/ec2_cpu_utilization_77c1ca.csv', 0.2501, 0.8073, 0.4633],
  ['realAWSCloudwatch/ec2_cpu_utilization_825cc2.csv', 0.8196, 0.9557, 0.8111],
  ['realAWSCloudwatch/ec2_cpu_utilization_ac20cd.csv', 0.6242, 0.8757, 0.8607],
  ['realAWSCloudwatch/ec2_cpu_utilization_c6585a.csv', -0.1100, -0.4400, -0.2200],
  ['realAWSCloudwatch/ec2_cpu_utilization_fe7f93.csv', -0.3338, -1.1228, 0.2039],
  ['realAWSCloudwatch/ec2_disk_write_bytes_1ef3de.csv', 0.4673, 0.8121, 0.4607],
  ['realAWSCloudwatch/ec2_disk_write_bytes_c0d644.csv', 0.2811, 0.5007, 0.3370],
  ['realAWSCloudwatch/ec2_network_in_257a54.csv', 0.7649, 0.8553, 0.8571],
  ['realAWSCloudwatch/ec2_network_in_5abac7.csv', 1.0348, -0.3197, 1.5438],
  ['realAWSCloudwatch/elb_request_count_8c0756.csv', 1.3636, 1.7051, 1.7160],
  ['realAWSCloudwatch/grok_asg_anomaly.csv', 2.2307, 2.0896, 0.6291],
  ['realAWSCloudwatch/iio_us-east-1_i-a2eb1cd9_NetworkIn.csv', -2.3300, -2.1100, -2.1100],
  ['realAWSCloudwatch/rds_cpu_utilization_cc0c53.csv', 1.4900, -0.1420, 1.7231],
  ['realAWSCloudwatch/rds_cpu_utilization_e47b3b.csv', 1.4060, 1.7124, 1.5071],
  ['realKnownCause/ambient_temperature_system_failure.csv', 1.6577, 1.3226, -0.4286],
  ['realKnownCause/cpu_utilization_asg_misconfiguration.csv', -0.2575, -0.5730, -0.1930],
  ['realKnownCause/ec2_request_latency_system_failure.csv', 1.3906, 1.9854, 1.9906],
  ['realKnownCause/machine_temperature_system_failure.csv', 2.5563, 2.8932, 1.6383],
  ['realKnownCause/nyc_taxi.csv', 3.7752, 2.3419, -1.4298],
  ['realKnownCause/rogue_agent_key_hold.csv', -1.2809, -0.8674, -0.9593],
  ['realKnownCause/rogue_agent_key_updown.csv', -2.5677, -1.1858, -2.2200],
];

export const PUBLISHED_DETECTORS = ['ARTime', 'Numenta HTM', 'CAD OSE'] as const;

/**
 * The normalised standard score of each published detector on these files (null 0, perfect 100:
 * under the standard profile a missed window costs 1 and a perfect detection earns 1, so
 * 100 · (Σ raw + W) / 2W for W windows). Files without a published figure are left out and listed.
 */
export function publishedScores(files: Pick<NabFile, 'name' | 'windows'>[]) {
  const byName = new Map(PUBLISHED_STANDARD.map(([name, ...scores]) => [name, scores]));
  const missing = files.filter((f) => !byName.has(f.name)).map((f) => f.name);
  const known = files.filter((f) => byName.has(f.name));
  const windows = known.reduce((a, f) => a + f.windows.length, 0);
  const scores = Object.fromEntries(PUBLISHED_DETECTORS.map((detector, k) => {
    const raw = known.reduce((a, f) => a + byName.get(f.name)![k]!, 0);
    return [detector, windows === 0 ? null : Math.round((10_000 * (raw + windows)) / (2 * windows)) / 100];
  })) as Record<(typeof PUBLISHED_DETECTORS)[number], number | null>;
  return { standard: scores, files: known.length, missing };
}
