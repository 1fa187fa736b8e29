import { join } from 'node:path';
import { packageRoot } from '../../foundation/package-files.js';

/**
 * The capacity profile `simulate` and `plan` use without `--capacity`: one process of this server answering
 * single-record predictions. Assembled from the measurements in docs/kubernetes.md (0.13 ms of CPU per request at
 * a fixed 1,000/s; 1,929/s achieved at 2,000/s offered with p99 46 ms; about 4,900/s closed-loop, where the event
 * loop saturated), taken on a shared, contended machine where `loadtest --calibrate` could not drive the server
 * (its generator fell behind at 50/s). Replace it with a calibration from a quiet machine (docs/autoscaling.md).
 */
export const defaultCapacityProfilePath = join(packageRoot, 'src', 'autoscale', 'capacity', 'default-capacity-profile.json');
