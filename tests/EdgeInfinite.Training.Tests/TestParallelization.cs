// The test classes drive TorchSharp, whose native settings (the thread count each trainer sets) are process-wide:
// one class at a time, so no test runs with another's settings.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
