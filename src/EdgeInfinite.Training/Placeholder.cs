namespace EdgeInfinite.Training; internal static class Placeholder { }
