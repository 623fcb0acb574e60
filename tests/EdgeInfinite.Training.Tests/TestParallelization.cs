// The test classes drive TorchSharp, whose native state (thread counts, scalars, dispose scopes) is process-wide:
// run concurrently, a long-route training step once failed converting an optimizer scalar. One class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
