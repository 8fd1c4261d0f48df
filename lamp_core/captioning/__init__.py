"""Motion captioning: decoding, captioners over LaMP's motion features, timed captions for long
clips, and the caption metrics (BLEU, ROUGE-L, CIDEr, BERTScore, LaMP-BertScore)."""
