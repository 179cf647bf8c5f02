"""Lab 13: scikit-learn where NumPy only is asked, a test cell's helper, common metric mistakes."""
LAB = "lab13_evaluation"

CASES = {
    # scikit-learn through the setup's `metrics` and through an import of its own; precision and
    # recall swapped
    "sklearn_and_swapped": ({
        "a2_precision_recall": "def precision_recall(cm):\n    cm = np.asarray(cm, dtype=float)\n"
                               "    return np.diag(cm) / cm.sum(axis=1), np.diag(cm) / cm.sum(axis=0)",
        "a4_auc": "def auc_by_ranking(is_positive, scores):\n"
                  "    return float(metrics.roc_auc_score(is_positive, scores))",
        "a3_threshold": "from sklearn.metrics import recall_score\n\n"
                        "def threshold_for_recall(is_positive, scores, target):\n"
                        "    scores = np.asarray(scores, dtype=float)\n"
                        "    ok = [t for t in np.sort(scores) if recall_score(is_positive, scores >= t) >= target]\n"
                        "    return ok[-1]",
    }, ["q2_precision_recall", "q3_threshold", "q4_auc"]),
    # the test cell's `recall_at` called from the answer (not there when graded); specificity
    # from the wrong counts; ties not counted one half
    "test_helper_specificity_ties": ({
        "a1_binary_metrics": "def binary_metrics(tp, fp, fn, tn):\n"
                             "    precision, recall = tp / (tp + fp), tp / (tp + fn)\n"
                             "    return {'accuracy': (tp + tn) / (tp + fp + fn + tn), 'precision': precision,\n"
                             "            'recall': recall, 'specificity': tn / (tn + fn),\n"
                             "            'f1': 2 * precision * recall / (precision + recall)}",
        "a3_threshold": "def threshold_for_recall(is_positive, scores, target):\n"
                        "    scores = np.asarray(scores, dtype=float)\n"
                        "    ok = [t for t in np.sort(scores) if recall_at(is_positive, scores, t) >= target]\n"
                        "    return ok[-1]",
        "a4_auc": "def auc_by_ranking(is_positive, scores):\n"
                  "    is_positive, scores = np.asarray(is_positive, dtype=bool), np.asarray(scores, dtype=float)\n"
                  "    return float(np.mean(scores[is_positive][:, None] > scores[~is_positive][None, :]))",
    }, ["q1_binary_metrics", "q3_threshold", "q4_auc"]),
}
