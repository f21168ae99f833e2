"""osmnseg.datasets.pipelines."""
