/**
 * The experiment framework every table's runner shares: a {@link io.diffii.experiment.Plan} of
 * (setting, trial, backbone, method) rows measured on a {@link io.diffii.experiment.Benchmark} by
 * {@link io.diffii.experiment.Experiment}, which appends each row with its settings hash and
 * provenance to a Tablesaw-written CSV and resumes only rows whose settings match, and a {@link
 * io.diffii.experiment.Result} of tables, chart and image grids. {@link
 * io.diffii.experiment.FewShotExperiment} is Table 1's runner, {@link
 * io.diffii.experiment.LongTailExperiment} Table 2's (with {@link io.diffii.experiment.ShotGroups}
 * for the many / medium / few-shot accuracy), {@link io.diffii.experiment.OodExperiment} Table 3's
 * (with each row's accuracy per test group, {@link io.diffii.experiment.OodResult}); {@link
 * io.diffii.experiment.AblationExperiment} runs Table 4 and Figure 7 through the few-shot runner,
 * with {@link io.diffii.experiment.SetMeasure}s of the synthetic sets beside accuracy ({@link
 * io.diffii.experiment.AblationResult}).
 */
package io.diffii.experiment;
