from strategy.graph import MatrixProblem, closes_cycle, matrix_problems, path_exists


def test_a_link_back_to_the_start_closes_a_cycle():
    edges = [(1, 2), (2, 3)]
    assert closes_cycle(edges, 3, 1)
    assert not closes_cycle(edges, 1, 3)


def test_a_self_link_is_a_cycle():
    assert closes_cycle([], 4, 4)


def test_paths_follow_the_direction_of_the_links():
    assert path_exists([(1, 2), (2, 3)], 1, 3)
    assert not path_exists([(1, 2), (2, 3)], 3, 1)


def test_a_branching_map_without_loops_accepts_a_new_link():
    edges = [(1, 3), (2, 3), (3, 4), (2, 5)]
    assert not closes_cycle(edges, 5, 4)


def test_every_measure_needs_exactly_one_lead():
    cells = [(1, 10, "lead"), (2, 10, "support"), (3, 10, "lead"), (3, 11, "lead")]
    assert matrix_problems([1, 2, 3], cells) == [MatrixProblem(2, 0), MatrixProblem(3, 2)]
