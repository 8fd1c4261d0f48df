"""Neural models: the motion convolution encoder, the LaMP Q-Former, the contrastive baseline."""
